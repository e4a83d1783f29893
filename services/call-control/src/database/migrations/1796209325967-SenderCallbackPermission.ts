import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class SenderCallbackPermission1796209325967 implements MigrationInterface {
  name = 'SenderCallbackPermission1796209325967';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD "callback_permission_status" character varying(16) NOT NULL DEFAULT 'DISABLED'`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" ADD CONSTRAINT "senders_callback_permission_status_check" CHECK ("callback_permission_status" IN ('ENABLED', 'DISABLED'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP CONSTRAINT "senders_callback_permission_status_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."senders" DROP COLUMN "callback_permission_status"`,
    );
  }
}
