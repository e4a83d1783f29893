import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Content approval callbacks (issue 19): a new delivery kind. */
export class ContentApprovalCallbacks1796224000000 implements MigrationInterface {
  name = 'ContentApprovalCallbacks1796224000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_kind_check" CHECK ("kind" IN ('call-status', 'recording-status', 'message-status', 'incoming-message', 'stream-status', 'content-approval'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_kind_check" CHECK ("kind" IN ('call-status', 'recording-status', 'message-status', 'incoming-message', 'stream-status'))`,
    );
  }
}
