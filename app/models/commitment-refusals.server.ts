/**
 * How the commitments pages answer a refusal from the commitments models: the 403 page for what the
 * person may not do, otherwise the messages with the status that says why.
 */
import { forbidden } from "../utils/auth.server";
import { invalid } from "../utils/forms.server";
import type { Failure, Refusal } from "./commitments.server";

export const refusalStatus: Record<Refusal, number> = { forbidden: 403, notFound: 404, conflict: 409, invalid: 400 };

/** A refused form: its messages by field (`form` for the whole) and what the person typed. */
export function refusedForm(failure: Failure, form: FormData) {
  if (failure.refusal === "forbidden") throw forbidden();
  return invalid(failure.errors, form, refusalStatus[failure.refusal]);
}
