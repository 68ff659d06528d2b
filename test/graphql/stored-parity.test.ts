import { paritySuite } from './parity.suite';

// GraphQL and REST on stored reads, after a full sync by the real engine.
paritySuite('stored');
