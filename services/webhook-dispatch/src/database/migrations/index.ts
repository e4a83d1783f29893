import { Initial1795259993099 } from './1795259993099-Initial';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259993099];
