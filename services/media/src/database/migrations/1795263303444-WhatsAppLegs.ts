import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * WhatsApp legs: direction, worker, connection time, why a leg ended, the leg states of
 * the edge, and at most one open leg per call. Generated, then edited by hand where
 * TypeORM cannot see the change (the state check's expression) or existing rows need a
 * value (direction; legs of the old `open` state cannot have survived a deploy).
 */
export class WhatsAppLegs1795263303444 implements MigrationInterface {
  name = 'WhatsAppLegs1795263303444';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ADD "direction" character varying(8) NOT NULL DEFAULT 'inbound'`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ALTER COLUMN "direction" DROP DEFAULT`,
    );
    await queryRunner.query(`ALTER TABLE "media"."media_sessions" ADD "worker_pid" integer`);
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ADD "connected_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ADD "end_reason" character varying(200)`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ALTER COLUMN "state" DROP DEFAULT`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" DROP CONSTRAINT "media_sessions_state_check"`,
    );
    await queryRunner.query(
      `UPDATE "media"."media_sessions" SET "state" = 'failed', "closed_at" = COALESCE("closed_at", now()), "end_reason" = 'schema upgrade' WHERE "state" = 'open'`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ADD CONSTRAINT "media_sessions_state_check" CHECK ("state" IN ('offered', 'answered', 'connected', 'closed', 'failed'))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "media_sessions_open_call_sid_uq" ON "media"."media_sessions" ("call_sid") WHERE "state" IN ('offered', 'answered', 'connected')`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ADD CONSTRAINT "media_sessions_direction_check" CHECK ("direction" IN ('inbound', 'outbound'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" DROP CONSTRAINT "media_sessions_direction_check"`,
    );
    await queryRunner.query(`DROP INDEX "media"."media_sessions_open_call_sid_uq"`);
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" DROP CONSTRAINT "media_sessions_state_check"`,
    );
    await queryRunner.query(
      `UPDATE "media"."media_sessions" SET "state" = CASE WHEN "state" IN ('closed', 'failed') THEN 'closed' ELSE 'open' END`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ADD CONSTRAINT "media_sessions_state_check" CHECK ("state" IN ('open', 'closed'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "media"."media_sessions" ALTER COLUMN "state" SET DEFAULT 'open'`,
    );
    await queryRunner.query(`ALTER TABLE "media"."media_sessions" DROP COLUMN "end_reason"`);
    await queryRunner.query(`ALTER TABLE "media"."media_sessions" DROP COLUMN "connected_at"`);
    await queryRunner.query(`ALTER TABLE "media"."media_sessions" DROP COLUMN "worker_pid"`);
    await queryRunner.query(`ALTER TABLE "media"."media_sessions" DROP COLUMN "direction"`);
  }
}
