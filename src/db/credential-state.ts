import { readInt, readOptionalDate } from "./direct-sql.js";

/** What decides whether a user's new session may live (see session-start.ts). */
export interface CredentialState {
  readonly credentialEpoch: number;
  readonly disabledAt: Date | null;
  readonly deletedAt: Date | null;
}

/** The state from a row holding the User columns "credentialEpoch", "disabledAt" and "deletedAt". */
export const credentialStateOf = (row: Readonly<Record<string, unknown>>): CredentialState => ({
  credentialEpoch: readInt(row["credentialEpoch"]),
  disabledAt: readOptionalDate(row["disabledAt"]),
  deletedAt: readOptionalDate(row["deletedAt"]),
});
