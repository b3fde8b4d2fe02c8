import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

export interface NavItem {
  to: string;
  label: string;
}
export interface NavGroup {
  id: string;
  label: string;
  items: NavItem[];
}

/** Destinations grouped for the menu; a person with few destinations gets them side by side instead. */
export const FLAT_MENU_MAX = 6;

/** The destination the page belongs to: the longest path that is the page's or one of its parents. */
export function currentDestination(pathname: string, paths: string[]): string | null {
  const matches = paths.filter((to) => (to === "/" ? pathname === "/" : pathname === to || pathname.startsWith(`${to}/`)));
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}

/**
 * The signed-in header's menu: the main navigation (grouped into disclosure menus when there are many
 * destinations) and the account links. On a narrow screen all of it sits behind one "Menu" button.
 * Before the page's script runs, each menu opens on focus or hover, so every link is reachable without it.
 */
export function SiteMenu({ home, groups, userName }: { home: NavItem; groups: NavGroup[]; userName: string }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const [enhanced, setEnhanced] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [openGroup, setOpenGroup] = useState<string | null>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);

  useEffect(() => setEnhanced(true), []);
  // Arriving on a page closes whatever was open on the way there.
  useEffect(() => {
    setMenuOpen(false);
    setOpenGroup(null);
  }, [pathname]);
  // A click or tap outside an open group closes it.
  useEffect(() => {
    if (!openGroup) return;
    const close = (e: PointerEvent) => {
      if (!(e.target instanceof Node) || !navRef.current?.querySelector(`[data-group="${openGroup}"]`)?.contains(e.target))
        setOpenGroup(null);
    };
    document.addEventListener("pointerdown", close);
    return () => document.removeEventListener("pointerdown", close);
  }, [openGroup]);

  // Escape closes the phone's menu (once no inner menu is open) and returns to its button.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      setMenuOpen(false);
      toggleRef.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [menuOpen]);

  const items = groups.flatMap((g) => g.items);
  const flat = items.length <= FLAT_MENU_MAX;
  const current = currentDestination(pathname, [home.to, ...items.map((i) => i.to)]);

  return (
    <>
      <button
        ref={toggleRef}
        type="button"
        className="menu-toggle"
        aria-expanded={menuOpen}
        aria-controls="site-menu"
        onClick={() => setMenuOpen((o) => !o)}
      >
        <span className="menu-toggle__icon" aria-hidden="true" />
        {t("nav.menu")}
      </button>
      <div id="site-menu" className={`site-menu${enhanced ? " is-enhanced" : ""}${menuOpen ? " is-open" : ""}`}>
        <nav ref={navRef} aria-label={t("nav.main")} className="site-nav">
          <ul className="nav-list">
            <li>
              <DestinationLink item={home} current={current} />
            </li>
            {flat
              ? items.map((item) => (
                  <li key={item.to}>
                    <DestinationLink item={item} current={current} />
                  </li>
                ))
              : groups
                  .filter((g) => g.items.length > 0)
                  .map((g) => (
                    <MenuGroup
                      key={g.id}
                      group={g}
                      current={current}
                      open={openGroup === g.id}
                      onOpenChange={(open) => setOpenGroup(open ? g.id : null)}
                    />
                  ))}
          </ul>
        </nav>
        <div className="site-header__account">
          <NavLink to="/account" className="account-link">
            {t("nav.account")} <span className="visually-hidden">({userName})</span>
          </NavLink>
          <Form method="post" action="/sign-out">
            <button type="submit" className="button button--quiet button--small">
              {t("auth.signOut")}
            </button>
          </Form>
        </div>
      </div>
    </>
  );
}

function DestinationLink({ item, current }: { item: NavItem; current: string | null }) {
  return (
    <Link to={item.to} prefetch="intent" aria-current={item.to === current ? "page" : undefined}>
      {item.label}
    </Link>
  );
}

/** One disclosure menu: a button that shows and hides its list of links (Escape closes it and returns to the button). */
function MenuGroup({
  group,
  current,
  open,
  onOpenChange,
}: {
  group: NavGroup;
  current: string | null;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const listId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const holdsCurrent = group.items.some((i) => i.to === current);
  return (
    <li
      className={`nav-group${open ? " is-open" : ""}`}
      data-group={group.id}
      onKeyDown={(e) => {
        if (e.key !== "Escape" || !open) return;
        // Only this menu closes, not the phone's menu around it.
        e.preventDefault();
        onOpenChange(false);
        buttonRef.current?.focus();
      }}
      onBlur={(e) => {
        // Tabbing out of an open menu closes it.
        if (open && !(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget))) onOpenChange(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={`nav-group__button${holdsCurrent ? " is-current" : ""}`}
        aria-expanded={open}
        aria-controls={listId}
        aria-current={holdsCurrent ? "true" : undefined}
        onClick={() => onOpenChange(!open)}
      >
        {group.label}
        <span className="nav-group__chevron" aria-hidden="true" />
      </button>
      <ul id={listId} className="nav-group__list">
        {group.items.map((item) => (
          <li key={item.to}>
            <DestinationLink item={item} current={current} />
          </li>
        ))}
      </ul>
    </li>
  );
}
