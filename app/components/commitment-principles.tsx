import { useTranslation } from "react-i18next";

/** A Voluntary Principle as people read it: its number and short title ("1 · Prevent known child sexual abuse material"). */
export function usePrincipleLabel(): (n: number) => string {
  const { t } = useTranslation("commitment");
  return (n) => {
    const title: string = t(`principleTitles.${n}` as "principleTitles.1");
    return t("facts.principle", { number: n, title });
  };
}

/** The principles a commitment serves, one a line. */
export function PrincipleList({ principles }: { principles: readonly number[] }) {
  const label = usePrincipleLabel();
  return (
    <ul className="principle-list" data-testid="principles">
      {principles.map((n) => (
        <li key={n}>{label(n)}</li>
      ))}
    </ul>
  );
}
