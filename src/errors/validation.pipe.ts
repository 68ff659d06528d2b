import { type ArgumentMetadata, Injectable, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError, type ErrorItem } from './api-error';

/**
 * class-validator based validation whose 400 names every bad field with a JSON pointer into the
 * request ("/query/page_size", "/body/model/email_addresses/0/email_address").
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: false,
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      const validationErrors = (err as { validationErrors?: ValidationError[] }).validationErrors;
      if (!validationErrors) throw err;
      const location = metadata.type === 'custom' ? 'body' : metadata.type;
      const items = flatten(validationErrors, `/${location}`);
      const first = items[0];
      throw new ApiError(400, 'INVALID_PARAMETER', first ? `${first.source?.pointer.split('/').slice(2).join('.')}: ${first.detail}` : 'Invalid request.', items);
    }
  }

  protected override flattenValidationErrors(): string[] {
    return [];
  }

  override createExceptionFactory() {
    return (validationErrors: ValidationError[] = []) => Object.assign(new Error('validation failed'), { validationErrors });
  }
}

function flatten(errors: ValidationError[], prefix: string): ErrorItem[] {
  const out: ErrorItem[] = [];
  for (const e of errors) {
    const pointer = `${prefix}/${e.property}`;
    for (const message of Object.values(e.constraints ?? {})) out.push({ source: { pointer }, detail: message });
    if (e.children?.length) out.push(...flatten(e.children, pointer));
  }
  return out;
}
