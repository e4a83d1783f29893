import { Initial1795259990839 } from './1795259990839-Initial';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259990839];
