import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Ledger1796207987075 implements MigrationInterface {
  name = 'Ledger1796207987075';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The first sketch of the ledger (one row per pair, never written) gives way to the
    // ledger proper: current state, append-only history, call attempts, requests.
    await queryRunner.query(`DROP TABLE "consent"."call_permissions"`);
    await queryRunner.query(
      `CREATE TABLE "consent"."permission_states" ("account_sid" character(34) NOT NULL, "business" character varying(160) NOT NULL, "user_address" character varying(160) NOT NULL, "permission" character varying(16) NOT NULL DEFAULT 'none', "source" character varying(16), "granted_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE, "consecutive_missed" integer NOT NULL DEFAULT '0', "reprompt" boolean NOT NULL DEFAULT false, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "permission_states_missed_check" CHECK ("consecutive_missed" >= 0), CONSTRAINT "permission_states_permission_check" CHECK ("permission" IN ('none', 'temporary', 'permanent', 'rejected', 'revoked')), CONSTRAINT "PK_912aa5f43e378c9028109f548ce" PRIMARY KEY ("account_sid", "business", "user_address"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "consent"."ledger_entries" ("id" BIGSERIAL NOT NULL, "account_sid" character(34) NOT NULL, "business" character varying(160) NOT NULL, "user_address" character varying(160) NOT NULL, "kind" character varying(32) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "call_sid" character(34), "request_ref" character varying(64), "rule" character varying(32), "dedup_key" character varying(200), "detail" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "ledger_entries_kind_check" CHECK ("kind" IN ('request.reserved', 'request.refused', 'request.sent', 'request.failed', 'reply.accepted', 'reply.rejected', 'call.reserved', 'call.refused', 'call.connected', 'call.missed', 'call.released', 'call.user-initiated', 'permission.callback-granted', 'permission.reprompt', 'permission.revoked')), CONSTRAINT "PK_6efcb84411d3f08b08450ae75d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ledger_entries_dedup_key" ON "consent"."ledger_entries" ("dedup_key") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ledger_entries_pair_idx" ON "consent"."ledger_entries" ("account_sid", "business", "user_address", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent"."call_attempts" ("call_sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "business" character varying(160) NOT NULL, "user_address" character varying(160) NOT NULL, "state" character varying(16) NOT NULL, "reserved_at" TIMESTAMP WITH TIME ZONE NOT NULL, "hold_until" TIMESTAMP WITH TIME ZONE, "connected_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "rule" character varying(32), "error_code" integer, "reason" text, CONSTRAINT "call_attempts_state_check" CHECK ("state" IN ('reserved', 'placed', 'connected', 'missed', 'released', 'refused')), CONSTRAINT "PK_f2e075dc7ea9d6871e33bfb9e7e" PRIMARY KEY ("call_sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "call_attempts_pair_idx" ON "consent"."call_attempts" ("account_sid", "business", "user_address", "state") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent"."permission_requests" ("account_sid" character(34) NOT NULL, "request_ref" character varying(64) NOT NULL, "business" character varying(160) NOT NULL, "user_address" character varying(160) NOT NULL, "state" character varying(16) NOT NULL, "reserved_at" TIMESTAMP WITH TIME ZONE NOT NULL, "settled_at" TIMESTAMP WITH TIME ZONE, "rule" character varying(32), "error_code" integer, "reason" text, CONSTRAINT "permission_requests_state_check" CHECK ("state" IN ('reserved', 'sent', 'failed', 'refused')), CONSTRAINT "PK_4c7491f357b28937c35d99ba609" PRIMARY KEY ("account_sid", "request_ref"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "permission_requests_pair_idx" ON "consent"."permission_requests" ("account_sid", "business", "user_address", "reserved_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "consent"."permission_requests_pair_idx"`);
    await queryRunner.query(`DROP TABLE "consent"."permission_requests"`);
    await queryRunner.query(`DROP INDEX "consent"."call_attempts_pair_idx"`);
    await queryRunner.query(`DROP TABLE "consent"."call_attempts"`);
    await queryRunner.query(`DROP INDEX "consent"."ledger_entries_pair_idx"`);
    await queryRunner.query(`DROP INDEX "consent"."ledger_entries_dedup_key"`);
    await queryRunner.query(`DROP TABLE "consent"."ledger_entries"`);
    await queryRunner.query(`DROP TABLE "consent"."permission_states"`);
    await queryRunner.query(
      `CREATE TABLE "consent"."call_permissions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_sid" character(34) NOT NULL, "business_phone_number_id" character varying(32) NOT NULL, "user_wa_id" character varying(20) NOT NULL, "status" character varying(16) NOT NULL, "is_permanent" boolean NOT NULL DEFAULT false, "expires_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "call_permissions_number_user_key" UNIQUE ("business_phone_number_id", "user_wa_id"), CONSTRAINT "call_permissions_status_check" CHECK ("status" IN ('granted', 'denied', 'revoked', 'expired')), CONSTRAINT "PK_b657bd5210140472e28070bbb2b" PRIMARY KEY ("id"))`,
    );
  }
}
