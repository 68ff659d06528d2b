import { Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import type { VendorConnection, VendorSlug } from '../integrations/contract';
import { VendorHttpClient } from '../integrations/http/vendor-http-client';
import { adapterFor } from '../integrations/registry';
import { MetricsService } from '../observability/metrics';
import { CredentialsService } from './credentials.service';
import type { LinkedAccountRecord } from './linked-accounts.service';

/** The authenticated channel from a linked account to its vendor, for adapters and pass-through. */
@Injectable()
export class VendorConnections {
  readonly http: VendorHttpClient;

  constructor(
    private readonly credentials: CredentialsService,
    metrics: MetricsService,
  ) {
    this.http = new VendorHttpClient({}, metrics);
  }

  /**
   * `background: true` for callers nobody waits on (the stored sync): their idempotent requests ride
   * out short rate limits instead of failing after a few attempts (VendorHttpClient, `background`).
   */
  forAccount(account: LinkedAccountRecord, options: { background?: boolean } = {}): VendorConnection {
    const adapter = adapterFor(account.integration);
    if (!adapter) throw new ApiError(400, 'UNSUPPORTED_INTEGRATION', `Integration ${account.integration} is not available on this server.`);
    return this.http.connection({
      vendor: account.integration as VendorSlug,
      linkedAccountId: account.id,
      apiBaseUrl: account.apiBaseUrl,
      auth: adapter.auth,
      tokens: this.credentials.tokenSource(account),
      retryDelayMs: adapter.auth.retryDelayMs?.bind(adapter.auth),
      budgetDelayMs: adapter.auth.budgetDelayMs?.bind(adapter.auth),
      background: options.background === true,
    });
  }
}
