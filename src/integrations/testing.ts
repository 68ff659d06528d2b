/** Instants (ms since epoch) the vendors' datetime tests convert: epoch, sub-second, day end, leap day, recent. */
export const SAMPLE_INSTANTS_MS: readonly number[] = [0, 1, 86_399_999, 1_700_000_000_123, 1_709_164_800_000, 951_782_400_000];
