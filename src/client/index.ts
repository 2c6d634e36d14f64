/** The public surface of Imago's TypeScript client. */
export { ApiError, ConnectionError } from './api-error.js';
export type { ByteRangeRequest, ContentRange } from './byte-range.js';
export {
  ImageClient, JSON_PATCH_MEDIA_TYPE, type DownloadOptions, type ImageClientOptions, type ImageDownload, type UploadOptions,
} from './image-client.js';
export type {
  ContainerFormat, DiskFormat, ImageCreateFields, ImageListQuery, ImagePage, ImageRecord, ImageStatus,
  PatchOperation, ProgressListener, Visibility,
} from './image-types.js';
export { exactNameFilter } from './list-query.js';
export type { ImageMemberList, ImageMemberRecord, MemberStatus } from './member-types.js';
export type { ProjectQuotasDocument, QuotaName, UsageDocument } from './quota-types.js';
export { catalogUrl, IdentityClient, identityV3Url, type CredentialCreate, type IdentityClientOptions } from './identity-client.js';
export type {
  ApplicationCredentialRecord, CatalogService, LoginCredentials, ProjectRecord, RoleAssignmentRecord, RoleRecord, Session, TokenRecord, UserRecord,
} from './identity-types.js';
