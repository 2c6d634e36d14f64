/**
 * Every failed authentication answers the client with the same 401 and the same message, so
 * nothing tells an unknown user from a wrong password. What actually went wrong travels in
 * `detail`, for the log only (it never holds a secret).
 */
import { UnauthorizedError } from '../domain/errors.js';

export const AUTH_FAILED_MESSAGE = 'The request you have made requires authentication.';

export class AuthenticationFailure extends UnauthorizedError {
  constructor(readonly detail: string, options: { cause?: unknown } = {}) {
    super(AUTH_FAILED_MESSAGE, { ...options, reason: 'auth.failed' });
  }
}
