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
