import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { memberships, type Membership } from "../domain/vocabulary";
import { EmptyState, SelectField, SubmitButton } from "./form";

type FieldState = { errors: Record<string, string>; values: Record<string, string> };
type Person = { id: number; name: string; organisation: string | null };

/** A working group's members; the secretariat also changes, removes and adds them here. */
export function GroupMembers({
  members,
  leadId,
  manage,
  addable,
  addMember,
}: {
  members: { userId: number; name: string; organisation: string | null; membership: Membership }[];
  leadId: number | null;
  manage: boolean;
  addable: Person[];
  addMember: FieldState;
}) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <section aria-labelledby="members-title" className="panel stack">
      <h2 id="members-title">{t("group.membersTitleCount", { count: members.length })}</h2>
      {members.length === 0 ? (
        <EmptyState title={t("group.membersEmpty")} />
      ) : (
        <ul className="row-list">
          {members.map((m) => {
            const isLead = m.userId === leadId;
            return (
              <li key={m.userId} className="row-list__item" data-testid="group-member">
                <div>
                  <span className="cell-title">
                    {m.name}
                    {isLead ? (
                      <>
                        {" "}
                        <span className="badge">{t("group.isLead")}</span>
                      </>
                    ) : null}
                  </span>
                  <span className="cell-sub">{m.organisation ?? t("group.noOrganisation")}</span>
                </div>
                {manage ? (
                  <div className="stack">
                    {isLead ? (
                      <span>{t(`membership.${m.membership}`)}</span>
                    ) : (
                      <MembershipForm key={`${m.userId}-${m.membership}`} member={m} />
                    )}
                    {isLead ? (
                      <p className="cell-sub">{t("group.leadCannotBeRemoved")}</p>
                    ) : (
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="removeMember" />
                        <input type="hidden" name="userId" value={m.userId} />
                        <button type="submit" className="button button--danger button--small">
                          {t("group.remove")} <span className="visually-hidden">{m.name}</span>
                        </button>
                      </Form>
                    )}
                  </div>
                ) : (
                  <span className="badge">{t(`membership.${m.membership}`)}</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {manage ? <AddMemberForm addable={addable} {...addMember} /> : null}
    </section>
  );
}

/** Remounted (by its key) when the membership changes, so the select shows the saved value. */
function MembershipForm({ member: m }: { member: { userId: number; name: string; membership: Membership } }) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value="setMembership" />
      <input type="hidden" name="userId" value={m.userId} />
      <label className="visually-hidden" htmlFor={`membership-${m.userId}`}>
        {t("group.membershipOf", { name: m.name })}
      </label>
      <select id={`membership-${m.userId}`} name="membership" defaultValue={m.membership}>
        {memberships.map((value) => (
          <option key={value} value={value}>
            {t(`membership.${value}`)}
          </option>
        ))}
      </select>
      <button type="submit" className="button button--small button--quiet">
        {t("group.changeMembership")} <span className="visually-hidden">{m.name}</span>
      </button>
    </Form>
  );
}

function AddMemberForm({ addable, errors, values }: { addable: Person[] } & FieldState) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <div className="stack">
      <h3 id="add-member-title">{t("group.addMemberTitle")}</h3>
      {addable.length === 0 ? (
        <p className="muted">{t("group.noneToAdd")}</p>
      ) : (
        <Form method="post" noValidate className="stack" aria-labelledby="add-member-title" key={addable.map((p) => p.id).join(",")}>
          <input type="hidden" name="intent" value="addMember" />
          <SelectField
            name="userId"
            label={t("fields.person")}
            required
            defaultValue={values.userId ?? ""}
            error={errors.userId}
            options={[
              { value: "", label: t("common:fields.choose") },
              ...addable.map((p) => ({ value: String(p.id), label: p.organisation ? `${p.name} (${p.organisation})` : p.name })),
            ]}
          />
          <SelectField
            name="membership"
            label={t("fields.membership")}
            hint={t("fields.membershipHint")}
            defaultValue={values.membership ?? "editor"}
            error={errors.membership}
            options={memberships.map((m: Membership) => ({ value: m, label: t(`membership.${m}`) }))}
          />
          <SubmitButton intent="addMember">{t("group.addMember")}</SubmitButton>
        </Form>
      )}
    </div>
  );
}
