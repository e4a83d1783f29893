import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Messaging webhooks: message status callbacks, incoming messages and their fallback URL. */
export class MessageWebhooks1796208604352 implements MigrationInterface {
  name = 'MessageWebhooks1796208604352';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "fallback_url" text`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "fallback_method" character varying(4)`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_kind_check" CHECK ("kind" IN ('call-status', 'recording-status', 'message-status', 'incoming-message'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_kind_check" CHECK ("kind" IN ('call-status', 'recording-status'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "fallback_method"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "fallback_url"`,
    );
  }
}
