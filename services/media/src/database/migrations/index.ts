import { Initial1795259994143 } from './1795259994143-Initial';
import { WhatsAppLegs1795263303444 } from './1795263303444-WhatsAppLegs';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259994143, WhatsAppLegs1795263303444];
