import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Recordings of calls (Twilio's Recording resource); the audio is in recording storage. */
export class Recordings1795270991777 implements MigrationInterface {
  name = 'Recordings1795270991777';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."recordings" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "call_sid" character(34) NOT NULL, "status" character varying(16) NOT NULL, "source" character varying(32) NOT NULL, "channels" smallint NOT NULL, "track" character varying(8) NOT NULL, "start_time" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "duration" integer, "error_code" integer, "storage_uri" text, "status_callback" jsonb, "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "recordings_channels_check" CHECK ("channels" IN (1, 2)), CONSTRAINT "recordings_status_check" CHECK ("status" IN ('in-progress', 'completed', 'absent', 'failed')), CONSTRAINT "recordings_sid_check" CHECK ("sid" ~ '^RE[0-9a-f]{32}$'), CONSTRAINT "PK_df587583eb0034fa6009914c558" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "recordings_call_idx" ON "call_control"."recordings" ("call_sid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "recordings_account_list_idx" ON "call_control"."recordings" ("account_sid", "date_created", "sid") `,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."recordings" ADD CONSTRAINT "FK_2b95fe3a1bfb1eec4425fc397e9" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."recordings" ADD CONSTRAINT "FK_0291e6a29fc0c825e7efef9bde2" FOREIGN KEY ("call_sid") REFERENCES "call_control"."calls"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."recordings" DROP CONSTRAINT "FK_0291e6a29fc0c825e7efef9bde2"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."recordings" DROP CONSTRAINT "FK_2b95fe3a1bfb1eec4425fc397e9"`,
    );
    await queryRunner.query(`DROP INDEX "call_control"."recordings_account_list_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."recordings_call_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."recordings"`);
  }
}
