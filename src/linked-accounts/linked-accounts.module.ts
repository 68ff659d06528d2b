import { Global, Module } from '@nestjs/common';
import { LinkedAccountGuard } from './account-context';
import { VendorConnections } from './connections';
import { CredentialsService } from './credentials.service';
import { IssuesService } from './issues.service';
import { LinkedAccountsService } from './linked-accounts.service';

@Global()
@Module({
  providers: [LinkedAccountsService, LinkedAccountGuard, CredentialsService, VendorConnections, IssuesService],
  exports: [LinkedAccountsService, LinkedAccountGuard, CredentialsService, VendorConnections, IssuesService],
})
export class LinkedAccountsModule {}
