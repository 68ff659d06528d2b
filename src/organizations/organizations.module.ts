import { Module } from '@nestjs/common';
import { KeysController } from './keys.controller';
import { OrganizationsService } from './organizations.service';

@Module({
  controllers: [KeysController],
  providers: [OrganizationsService],
  exports: [OrganizationsService],
})
export class OrganizationsModule {}
