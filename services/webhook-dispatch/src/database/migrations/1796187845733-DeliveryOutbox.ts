import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Nothing wrote to webhook_deliveries before this migration, so NOT NULL columns need no
// defaults for existing rows.

export class DeliveryOutbox1796187845733 implements MigrationInterface {
  name = 'DeliveryOutbox1796187845733';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "kind" character varying(16) NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "order_key" character varying(64) NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "event_sequence" integer NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "callback_sequence" integer`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "host" character varying(255) NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "params" jsonb NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "lease_until" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "leased_by" character varying(128)`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD "error_code" integer`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_order_idx" ON "webhook_dispatch"."webhook_deliveries" ("order_key", "event_sequence") `,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_kind_check" CHECK ("kind" IN ('call-status', 'recording-status'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_kind_check"`,
    );
    await queryRunner.query(`DROP INDEX "webhook_dispatch"."webhook_deliveries_order_idx"`);
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "error_code"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "leased_by"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "lease_until"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "params"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "host"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "callback_sequence"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "event_sequence"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "order_key"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_dispatch"."webhook_deliveries" DROP COLUMN "kind"`,
    );
  }
}
