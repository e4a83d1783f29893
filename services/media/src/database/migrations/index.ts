import { Initial1795259994143 } from './1795259994143-Initial';
import { WhatsAppLegs1795263303444 } from './1795263303444-WhatsAppLegs';
import { WhatsAppLegsTable1796187398504 } from './1796187398504-WhatsAppLegsTable';
import { LegFailureOutbox1796210605194 } from './1796210605194-LegFailureOutbox';
import { InstanceLeases1796224112384 } from './1796224112384-InstanceLeases';

/** Every migration of this service, oldest first. */
export const migrations = [
  Initial1795259994143,
  WhatsAppLegs1795263303444,
  WhatsAppLegsTable1796187398504,
  LegFailureOutbox1796210605194,
  InstanceLeases1796224112384,
];
