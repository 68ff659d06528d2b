import { ApiError } from '../errors/api-error';
import { VendorError } from '../integrations/contract';

/**
 * A vendor failure on a read (or any non-write path) in our error shape: the vendor's status and
 * own message are kept so developers can see why; 502 when the vendor failed, 504 on timeout,
 * 429 with Retry-After when it rate-limited us beyond what retries could absorb.
 */
export function vendorErrorToApi(err: unknown): unknown {
  if (!(err instanceof VendorError)) return err;
  const vendorItem = { source: { pointer: '/vendor' }, detail: `${err.vendor} answered ${err.status || 'nothing'} ${err.vendorCode}: ${err.vendorMessage}` };
  switch (err.kind) {
    case 'timeout':
      return new ApiError(504, 'VENDOR_TIMEOUT', `${err.vendor} did not answer in time.`, [vendorItem]);
    case 'rate_limited':
      return new ApiError(429, 'VENDOR_RATE_LIMITED', `${err.vendor} is rate limiting this linked account; retry later.`, [vendorItem], {
        'retry-after': String(Math.max(1, Math.ceil(err.retryAfterSeconds ?? 10))),
      });
    case 'auth':
      return new ApiError(502, 'VENDOR_AUTH_FAILED', `${err.vendor} rejected this linked account's credentials; the account may need to be linked again.`, [vendorItem]);
    case 'not_found':
      return new ApiError(404, 'NOT_FOUND', `${err.vendor} has no such record.`, [vendorItem]);
    default:
      return new ApiError(502, 'VENDOR_ERROR', `${err.vendor} failed: ${err.vendorMessage}`, [vendorItem]);
  }
}
