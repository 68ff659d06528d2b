import { Module } from '@nestjs/common';
import { AsyncPassthroughService } from './async-passthrough.service';
import { PassthroughController } from './passthrough.controller';
import { PassthroughService } from './passthrough.service';

/** POST /passthrough, POST /async-passthrough and GET /async-passthrough/{id}. */
@Module({
  controllers: [PassthroughController],
  providers: [PassthroughService, AsyncPassthroughService],
  exports: [PassthroughService],
})
export class PassthroughModule {}
