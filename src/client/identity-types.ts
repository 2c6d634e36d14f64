/** Records of the Keystone v3 identity API as Imago serves them (the fields the client uses). */

export interface UserRecord {
  id: string;
  name: string;
  enabled: boolean;
  domain_id: string;
  default_project_id?: string;
  [key: string]: unknown;
}

export interface ProjectRecord {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  domain_id: string;
  [key: string]: unknown;
}

export interface RoleRecord {
  id: string;
  name: string;
  [key: string]: unknown;
}

export interface RoleAssignmentRecord {
  role: { id: string; name?: string };
  user: { id: string; name?: string };
  scope: { project: { id: string; name?: string } };
}

export interface ApplicationCredentialRecord {
  id: string;
  name: string;
  description: string;
  project_id: string;
  roles: RoleRecord[];
  expires_at: string | null;
  /** Only in the answer to create: the secret is shown once. */
  secret?: string;
  [key: string]: unknown;
}

export interface CatalogEndpoint {
  interface: string;
  region?: string;
  url: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface TokenRecord {
  methods: string[];
  user: { id: string; name: string };
  project?: { id: string; name: string };
  roles?: RoleRecord[];
  expires_at: string;
  issued_at: string;
  catalog?: CatalogService[];
}

/** How to log in: a password (user and project by name in a domain) or an application credential. */
export type LoginCredentials =
  | {
    kind: 'password';
    username: string;
    password: string;
    projectName?: string;
    userDomain?: string;
    projectDomain?: string;
  }
  | { kind: 'application_credential'; id: string; secret: string };

export interface Session {
  token: string;
  record: TokenRecord;
}
