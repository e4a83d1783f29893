import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Side effects owed by call state changes (Meta terminate/reject, media close, set-up). */
export class CallEffects1796207880093 implements MigrationInterface {
  name = 'CallEffects1796207880093';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."call_effects" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "call_sid" character(34) NOT NULL, "kind" character varying(32) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "detail" jsonb NOT NULL DEFAULT '{}', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "claimed_by" character varying(128), "last_error" text, "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "call_effects_status_check" CHECK ("status" IN ('pending', 'done', 'refused', 'dead')), CONSTRAINT "call_effects_kind_check" CHECK ("kind" IN ('meta.terminate', 'meta.reject', 'media.close', 'inbound.setup', 'interpreter.start')), CONSTRAINT "PK_07d630cdf17d14e940c7bea8ac2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "call_effects_due_idx" ON "call_control"."call_effects" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "call_effects_call_kind_key" ON "call_control"."call_effects" ("call_sid", "kind") `,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."call_effects" ADD CONSTRAINT "FK_2981633453eb9c31b9d0d4cbbcf" FOREIGN KEY ("call_sid") REFERENCES "call_control"."calls"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."call_effects" DROP CONSTRAINT "FK_2981633453eb9c31b9d0d4cbbcf"`,
    );
    await queryRunner.query(`DROP INDEX "call_control"."call_effects_call_kind_key"`);
    await queryRunner.query(`DROP INDEX "call_control"."call_effects_due_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."call_effects"`);
  }
}
