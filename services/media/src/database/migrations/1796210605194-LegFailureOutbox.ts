import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Lost legs whose `media.v1.leg.failed` is not published yet (the failure outbox). */
export class LegFailureOutbox1796210605194 implements MigrationInterface {
  name = 'LegFailureOutbox1796210605194';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "media"."whatsapp_legs" ADD "failure_pending" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `CREATE INDEX "whatsapp_legs_failure_pending_idx" ON "media"."whatsapp_legs" ("closed_at") WHERE "failure_pending"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "media"."whatsapp_legs_failure_pending_idx"`);
    await queryRunner.query(`ALTER TABLE "media"."whatsapp_legs" DROP COLUMN "failure_pending"`);
  }
}
