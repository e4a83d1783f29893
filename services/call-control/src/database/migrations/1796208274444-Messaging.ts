import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Content templates, WhatsApp messages with their event outbox, and senders' messaging webhooks. */
export class Messaging1796208274444 implements MigrationInterface {
  name = 'Messaging1796208274444';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."contents" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "friendly_name" character varying(256), "language" character varying(16) NOT NULL, "variables" jsonb NOT NULL, "types" jsonb NOT NULL, "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "contents_sid_check" CHECK ("sid" ~ '^HX[0-9a-f]{32}$'), CONSTRAINT "PK_c4ddec79d46227b25fa72f6f5e1" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "contents_account_list_idx" ON "call_control"."contents" ("account_sid", "date_created", "sid") `,
    );
    await queryRunner.query(
      `CREATE TABLE "call_control"."message_outbox" ("id" BIGSERIAL NOT NULL, "subject" character varying(64) NOT NULL, "msg_id" character varying(128) NOT NULL, "payload" jsonb NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5da887257490934413159fc3a2c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "message_outbox_msg_id_key" ON "call_control"."message_outbox" ("msg_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "message_outbox_pending_idx" ON "call_control"."message_outbox" ("published_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "call_control"."messages" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "sender_sid" character(34) NOT NULL, "direction" character varying(16) NOT NULL, "from" character varying(40) NOT NULL, "to" character varying(40) NOT NULL, "body" text NOT NULL DEFAULT '', "content_sid" character(34), "content_variables" jsonb, "meta_payload" jsonb, "inbound_detail" jsonb, "permission_state" character varying(16), "status" character varying(16) NOT NULL, "status_sequence" integer NOT NULL DEFAULT '0', "error_code" integer, "error_message" text, "meta_message_id" character varying(256), "status_callback" text, "status_callback_method" character varying(4), "send_attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "date_sent" TIMESTAMP WITH TIME ZONE, "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "messages_permission_state_check" CHECK ("permission_state" IN ('reserve', 'reserved', 'settle-sent', 'settle-failed', 'settled', 'refused')), CONSTRAINT "messages_status_check" CHECK ("status" IN ('queued', 'sent', 'delivered', 'read', 'failed', 'undelivered', 'received')), CONSTRAINT "messages_direction_check" CHECK ("direction" IN ('outbound-api', 'inbound')), CONSTRAINT "messages_sid_check" CHECK ("sid" ~ '^SM[0-9a-f]{32}$'), CONSTRAINT "PK_0eb365113438b9e892adfd5bd0a" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "messages_due_idx" ON "call_control"."messages" ("next_attempt_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "messages_meta_id_key" ON "call_control"."messages" ("sender_sid", "meta_message_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "messages_session_idx" ON "call_control"."messages" ("sender_sid", "from", "direction", "date_sent") `,
    );
    await queryRunner.query(
      `CREATE INDEX "messages_account_list_idx" ON "call_control"."messages" ("account_sid", "date_created", "sid") `,
    );
    await queryRunner.query(`ALTER TABLE "call_control"."senders" ADD "webhook_callback_url" text`);
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD "webhook_callback_method" character varying(4) NOT NULL DEFAULT 'POST'`,
    );
    await queryRunner.query(`ALTER TABLE "call_control"."senders" ADD "webhook_fallback_url" text`);
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD "webhook_fallback_method" character varying(4) NOT NULL DEFAULT 'POST'`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD "webhook_status_callback_url" text`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD "webhook_status_callback_method" character varying(4) NOT NULL DEFAULT 'POST'`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."contents" ADD CONSTRAINT "FK_58c94a22f161f7c69a75ad07536" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."messages" ADD CONSTRAINT "FK_653f7bc2a71ff52a18693888678" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."messages" DROP CONSTRAINT "FK_653f7bc2a71ff52a18693888678"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."contents" DROP CONSTRAINT "FK_58c94a22f161f7c69a75ad07536"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP COLUMN "webhook_status_callback_method"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP COLUMN "webhook_status_callback_url"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP COLUMN "webhook_fallback_method"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP COLUMN "webhook_fallback_url"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP COLUMN "webhook_callback_method"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP COLUMN "webhook_callback_url"`,
    );
    await queryRunner.query(`DROP INDEX "call_control"."messages_account_list_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."messages_session_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."messages_meta_id_key"`);
    await queryRunner.query(`DROP INDEX "call_control"."messages_due_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."messages"`);
    await queryRunner.query(`DROP INDEX "call_control"."message_outbox_pending_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."message_outbox_msg_id_key"`);
    await queryRunner.query(`DROP TABLE "call_control"."message_outbox"`);
    await queryRunner.query(`DROP INDEX "call_control"."contents_account_list_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."contents"`);
  }
}
