import { paritySuite } from './parity.suite';

// GraphQL and REST on live reads (every request reaches the sandbox vendor).
paritySuite('live');
