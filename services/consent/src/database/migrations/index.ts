import { Initial1795259991960 } from './1795259991960-Initial';
import { Ledger1796207987075 } from './1796207987075-Ledger';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259991960, Ledger1796207987075];
