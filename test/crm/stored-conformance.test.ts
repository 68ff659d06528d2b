import { conformanceSuite } from './conformance.suite';

// Stored reads: the same suite after a full sync by the real engine (reads come from crm_records).
conformanceSuite('stored');
