import { Initial1795259990839 } from './1795259990839-Initial';
import { SessionPosition1796187800665 } from './1796187800665-SessionPosition';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259990839, SessionPosition1796187800665];
