import { MODEL_NAMES } from '../models/spec';

/** Every event an organization can receive (unified-api.md "Webhooks to the product"). */
export const LINKED_ACCOUNT_EVENTS = ['LinkedAccount.linked', 'LinkedAccount.sync_completed', 'LinkedAccount.relink_needed', 'LinkedAccount.deleted'];
export const WEBHOOK_EVENTS: ReadonlySet<string> = new Set([...LINKED_ACCOUNT_EVENTS, ...MODEL_NAMES.flatMap((m) => [`${m}.added`, `${m}.changed`, `${m}.deleted`])]);
