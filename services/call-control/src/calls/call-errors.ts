/** A webhook that arrived before the call it speaks of is known: retried later. */
export class CallNotKnownYet extends Error {
  constructor(metaCallId: string) {
    super(`no call known for Meta call ${metaCallId} yet`);
    this.name = 'CallNotKnownYet';
  }
}
