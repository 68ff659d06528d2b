/** Injection token of the KeysetCursor used by organization-level lists. */
export const LINKING_CURSORS = Symbol('LINKING_CURSORS');
