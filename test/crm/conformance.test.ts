import { conformanceSuite } from './conformance.suite';

// Live reads: every request goes to the vendor (the sandbox emulators).
conformanceSuite('live');
