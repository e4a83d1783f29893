import { Initial1795259991960 } from './1795259991960-Initial';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259991960];
