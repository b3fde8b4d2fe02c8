import { Form, Link, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { commitmentStatuses, stakeholderGroups, voluntaryPrinciples } from "../domain/vocabulary";
import { usePrincipleLabel } from "./commitment-principles";

/**
 * The registry's filters, sent as GET parameters so a filtered view can be bookmarked and shared. "Not yet checked"
 * (`progress=unchecked`) is offered only to those who check progress updates.
 */
export function RegistryFilters({
  year,
  mine,
  hasOrganisation,
  canVerify,
  options,
}: {
  /** The year shown, or "all". */
  year: string;
  mine: boolean;
  hasOrganisation: boolean;
  canVerify: boolean;
  options: {
    years: { year: number; status: string }[];
    pillars: { id: number; slug: string }[];
    organisations: { id: number; name: string }[];
  };
}) {
  const { t } = useTranslation(["registry", "common"]);
  const [params] = useSearchParams();
  const loading = useNavigation().state === "loading";
  const principleLabel = usePrincipleLabel();
  return (
    <Form method="get" action="/commitments" className="filters registry-filters panel" aria-label={t("registry:filters.label")}>
      <div className="field">
        <label htmlFor="f-q">{t("registry:filters.search")}</label>
        <input id="f-q" type="search" name="q" defaultValue={params.get("q") ?? ""} />
      </div>
      <div className="field">
        <label htmlFor="f-year">{t("registry:filters.year")}</label>
        <select id="f-year" name="year" defaultValue={year}>
          <option value="all">{t("registry:filters.allYears")}</option>
          {options.years.map((c) => (
            <option key={c.year} value={String(c.year)}>
              {c.status === "open" ? t("registry:filters.openYear", { year: c.year }) : String(c.year)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-pillar">{t("registry:filters.pillar")}</label>
        <select id="f-pillar" name="pillar" defaultValue={params.get("pillar") ?? ""}>
          <option value="">{t("registry:filters.any")}</option>
          {options.pillars.map((p) => (
            <option key={p.id} value={p.slug}>
              {t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation", { defaultValue: p.slug })}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-principle">{t("registry:filters.principle")}</label>
        <select id="f-principle" name="principle" defaultValue={params.get("principle") ?? ""}>
          <option value="">{t("registry:filters.any")}</option>
          {voluntaryPrinciples.map((n) => (
            <option key={n} value={String(n)}>
              {principleLabel(n)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-organisation">{t("registry:filters.organisation")}</label>
        <select id="f-organisation" name="organisation" defaultValue={params.get("organisation") ?? ""}>
          <option value="">{t("registry:filters.any")}</option>
          {options.organisations.map((o) => (
            <option key={o.id} value={String(o.id)}>
              {o.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-group">{t("registry:filters.group")}</label>
        <select id="f-group" name="group" defaultValue={params.get("group") ?? ""}>
          <option value="">{t("registry:filters.any")}</option>
          {stakeholderGroups.map((g) => (
            <option key={g} value={g}>
              {t(`common:stakeholderGroups.${g}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-status">{t("registry:filters.status")}</label>
        <select id="f-status" name="status" defaultValue={params.get("status") ?? ""}>
          <option value="">{t("registry:filters.any")}</option>
          {commitmentStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`registry:status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-origin">{t("registry:filters.origin")}</label>
        <select id="f-origin" name="origin" defaultValue={params.get("origin") ?? ""}>
          <option value="">{t("registry:filters.any")}</option>
          <option value="carried">{t("registry:origin.carried")}</option>
          <option value="new">{t("registry:origin.new")}</option>
        </select>
      </div>
      {canVerify ? (
        <div className="field">
          <label htmlFor="f-progress">{t("registry:filters.progress")}</label>
          <select id="f-progress" name="progress" defaultValue={params.get("progress") ?? ""}>
            <option value="">{t("registry:filters.any")}</option>
            <option value="unchecked">{t("registry:filters.progressUnchecked")}</option>
          </select>
        </div>
      ) : null}
      <div className="field field--check">
        <input id="f-overdue" type="checkbox" name="overdue" value="1" defaultChecked={!!params.get("overdue")} />
        <label htmlFor="f-overdue">{t("registry:filters.overdueOnly")}</label>
      </div>
      {hasOrganisation ? (
        <div className="field field--check">
          <input id="f-mine" type="checkbox" name="mine" value="1" defaultChecked={mine} />
          <label htmlFor="f-mine">{t("registry:filters.mineOnly")}</label>
        </div>
      ) : null}
      <div className="filters__actions">
        <button type="submit" className="button">
          {loading ? t("common:common.loading") : t("registry:filters.apply")}
        </button>
        <Link to="/commitments" className="button button--quiet">
          {t("registry:filters.clear")}
        </Link>
      </div>
    </Form>
  );
}
