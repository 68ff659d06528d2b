/** Injection token of the KeysetCursor of the webhook lists (delivery log, incoming notifications). */
export const WEBHOOK_CURSORS = Symbol('WEBHOOK_CURSORS');
