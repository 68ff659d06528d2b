import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class GenerateRemoteKeyRequest {
  @ApiProperty({ description: 'Name of the new API key.', example: 'production backend', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;
}

export class RemoteKey {
  @ApiProperty({ example: 'production backend' })
  name!: string;

  @ApiProperty({ description: 'The API key. Shown once: only its hash is stored.', example: 'sbk_3q2x…' })
  key!: string;
}

export class PingResponse {
  @ApiProperty({ enum: [true], example: true })
  ok!: true;

  @ApiProperty({ format: 'uuid', description: 'The organization the API key belongs to.', example: '4d6f8a0c-2e4a-4c6e-8a0b-2c4e6a8c0e2f' })
  organization_id!: string;
}
