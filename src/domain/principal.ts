/**
 * Who is calling, once the edge has authenticated them. Every authorisation decision is made
 * from this and the target record by domain/policy.ts (admins included: Policy.isAdmin);
 * nothing else inspects roles.
 */
export interface Principal {
  /** The project the token is scoped to; images created by the caller belong to it. */
  projectId: string;
  userId: string | null;
  roles: readonly string[];
}
