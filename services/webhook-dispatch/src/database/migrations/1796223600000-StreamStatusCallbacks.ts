import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Media Stream status callbacks (`stream-started`, `stream-stopped`, `stream-error`). */
export class StreamStatusCallbacks1796223600000 implements MigrationInterface {
  name = 'StreamStatusCallbacks1796223600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_kind_check" CHECK ("kind" IN ('call-status', 'recording-status', 'message-status', 'incoming-message', 'stream-status'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "webhook_dispatch"."webhook_deliveries" WHERE "kind" = 'stream-status'`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_kind_check" CHECK ("kind" IN ('call-status', 'recording-status', 'message-status', 'incoming-message'))`,
    );
  }
}
