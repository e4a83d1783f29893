import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Tenancy (auth tokens, API keys), applications, WhatsApp senders, calls, the call timeline and outbox, and the Meta webhook inbox.
 */
export class CallControl1795263795111 implements MigrationInterface {
  name = 'CallControl1795263795111';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."api_keys" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "friendly_name" character varying(64) NOT NULL DEFAULT '', "secret_hash" character varying(255) NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "api_keys_sid_check" CHECK ("sid" ~ '^SK[0-9a-f]{32}$'), CONSTRAINT "PK_b3ba25023e7c6412d80c550c80c" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "api_keys_account_idx" ON "call_control"."api_keys" ("account_sid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "call_control"."applications" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "friendly_name" character varying(64) NOT NULL DEFAULT '', "voice_url" text, "voice_method" character varying(4) NOT NULL DEFAULT 'POST', "voice_fallback_url" text, "voice_fallback_method" character varying(4) NOT NULL DEFAULT 'POST', "status_callback" text, "status_callback_method" character varying(4) NOT NULL DEFAULT 'POST', "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "applications_methods_check" CHECK ("voice_method" IN ('GET', 'POST') AND "voice_fallback_method" IN ('GET', 'POST') AND "status_callback_method" IN ('GET', 'POST')), CONSTRAINT "applications_sid_check" CHECK ("sid" ~ '^AP[0-9a-f]{32}$'), CONSTRAINT "PK_841489088ff5feb95376b1c52f5" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "applications_account_list_idx" ON "call_control"."applications" ("account_sid", "date_created", "sid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "call_control"."calls" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "sender_sid" character(34), "parent_call_sid" character(34), "application_sid" character(34), "direction" character varying(16) NOT NULL, "from" character varying(40) NOT NULL, "to" character varying(40) NOT NULL, "status" character varying(16) NOT NULL, "caller_name" character varying(139), "meta_call_id" character varying(255), "url" text, "method" character varying(4) NOT NULL DEFAULT 'POST', "fallback_url" text, "fallback_method" character varying(4) NOT NULL DEFAULT 'POST', "twiml" text, "status_callback" text, "status_callback_method" character varying(4) NOT NULL DEFAULT 'POST', "status_callback_events" text array NOT NULL DEFAULT '{}', "recording" jsonb, "timeout_sec" integer NOT NULL, "time_limit_sec" integer NOT NULL, "answer_sdp" text, "start_time" TIMESTAMP WITH TIME ZONE, "end_time" TIMESTAMP WITH TIME ZONE, "duration" integer, "error_code" integer, "error_message" text, "sequence" integer NOT NULL DEFAULT '0', "ring_deadline" TIMESTAMP WITH TIME ZONE, "time_limit_deadline" TIMESTAMP WITH TIME ZONE, "holds_slot" boolean NOT NULL DEFAULT false, "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "calls_direction_check" CHECK ("direction" IN ('inbound', 'outbound-api', 'outbound-dial')), CONSTRAINT "calls_status_check" CHECK ("status" IN ('queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled')), CONSTRAINT "calls_sid_check" CHECK ("sid" ~ '^CA[0-9a-f]{32}$'), CONSTRAINT "PK_ce4c64d464efbb2a47ba1993a7f" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "calls_time_limit_deadline_idx" ON "call_control"."calls" ("time_limit_deadline") `,
    );
    await queryRunner.query(
      `CREATE INDEX "calls_ring_deadline_idx" ON "call_control"."calls" ("ring_deadline") `,
    );
    await queryRunner.query(
      `CREATE INDEX "calls_parent_idx" ON "call_control"."calls" ("parent_call_sid") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "calls_meta_call_id_key" ON "call_control"."calls" ("meta_call_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "calls_account_list_idx" ON "call_control"."calls" ("account_sid", "date_created", "sid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "call_control"."call_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "call_sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "sequence" integer, "type" character varying(16) NOT NULL, "name" character varying(64) NOT NULL, "detail" jsonb NOT NULL DEFAULT '{}', "payload" jsonb, "published_at" TIMESTAMP WITH TIME ZONE, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ae7349495543762c8be7de28b7f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "call_events_unpublished_idx" ON "call_control"."call_events" ("id") WHERE "sequence" IS NOT NULL AND "published_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "call_events_call_sequence_key" ON "call_control"."call_events" ("call_sid", "sequence") `,
    );
    await queryRunner.query(
      `CREATE INDEX "call_events_call_idx" ON "call_control"."call_events" ("call_sid", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "call_control"."senders" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "sender_id" character varying(32) NOT NULL, "phone_number_id" character varying(64) NOT NULL, "waba_id" character varying(64) NOT NULL, "access_token_sealed" text NOT NULL, "app_secret_sealed" text NOT NULL, "verify_token_digest" character(64), "voice_application_sid" character(34), "calling_status" character varying(16) NOT NULL DEFAULT 'DISABLED', "status" character varying(32) NOT NULL DEFAULT 'ONLINE', "profile_name" character varying(139), "active_calls" integer NOT NULL DEFAULT '0', "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "senders_calling_status_check" CHECK ("calling_status" IN ('ENABLED', 'DISABLED')), CONSTRAINT "senders_active_calls_check" CHECK ("active_calls" >= 0), CONSTRAINT "senders_sid_check" CHECK ("sid" ~ '^XE[0-9a-f]{32}$'), CONSTRAINT "PK_93f5089f3e9b5fd9da463d13788" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "senders_verify_token_idx" ON "call_control"."senders" ("verify_token_digest") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "senders_phone_number_id_key" ON "call_control"."senders" ("phone_number_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "senders_sender_id_key" ON "call_control"."senders" ("sender_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "senders_account_list_idx" ON "call_control"."senders" ("account_sid", "date_created", "sid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "call_control"."meta_webhook_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "key" character varying(512) NOT NULL, "kind" character varying(32) NOT NULL, "phone_number_id" character varying(64) NOT NULL, "sender_sid" character(34), "payload" jsonb NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "meta_webhook_events_status_check" CHECK ("status" IN ('pending', 'processed', 'failed')), CONSTRAINT "PK_c88450ecc6e92a324abfaf8f870" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "meta_webhook_events_due_idx" ON "call_control"."meta_webhook_events" ("status", "next_attempt_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "meta_webhook_events_key" ON "call_control"."meta_webhook_events" ("key") `,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."accounts" ADD "auth_token_sealed" text NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."api_keys" ADD CONSTRAINT "FK_e72aa0eab2738136a16232ad596" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."applications" ADD CONSTRAINT "FK_1d105cebd7d56f3e3129afd2b25" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."calls" ADD CONSTRAINT "FK_415feffd2a421b7f025f819b743" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."call_events" ADD CONSTRAINT "FK_2922a1552765465589488699ae2" FOREIGN KEY ("call_sid") REFERENCES "call_control"."calls"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD CONSTRAINT "FK_a63d9deae486a824c98928ca497" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD CONSTRAINT "FK_5f979817123486494c6c80f03fa" FOREIGN KEY ("voice_application_sid") REFERENCES "call_control"."applications"("sid") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP CONSTRAINT "FK_5f979817123486494c6c80f03fa"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP CONSTRAINT "FK_a63d9deae486a824c98928ca497"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."call_events" DROP CONSTRAINT "FK_2922a1552765465589488699ae2"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."calls" DROP CONSTRAINT "FK_415feffd2a421b7f025f819b743"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."applications" DROP CONSTRAINT "FK_1d105cebd7d56f3e3129afd2b25"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."api_keys" DROP CONSTRAINT "FK_e72aa0eab2738136a16232ad596"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."accounts" DROP COLUMN "auth_token_sealed"`,
    );
    await queryRunner.query(`DROP INDEX "call_control"."meta_webhook_events_key"`);
    await queryRunner.query(`DROP INDEX "call_control"."meta_webhook_events_due_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."meta_webhook_events"`);
    await queryRunner.query(`DROP INDEX "call_control"."senders_account_list_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."senders_sender_id_key"`);
    await queryRunner.query(`DROP INDEX "call_control"."senders_phone_number_id_key"`);
    await queryRunner.query(`DROP INDEX "call_control"."senders_verify_token_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."senders"`);
    await queryRunner.query(`DROP INDEX "call_control"."call_events_call_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."call_events_call_sequence_key"`);
    await queryRunner.query(`DROP INDEX "call_control"."call_events_unpublished_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."call_events"`);
    await queryRunner.query(`DROP INDEX "call_control"."calls_account_list_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."calls_meta_call_id_key"`);
    await queryRunner.query(`DROP INDEX "call_control"."calls_parent_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."calls_ring_deadline_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."calls_time_limit_deadline_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."calls"`);
    await queryRunner.query(`DROP INDEX "call_control"."applications_account_list_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."applications"`);
    await queryRunner.query(`DROP INDEX "call_control"."api_keys_account_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."api_keys"`);
  }
}
