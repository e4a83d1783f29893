import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Media Streams of calls (Twilio's Stream resource); media holds the WebSockets. */
export class Streams1796223547412 implements MigrationInterface {
  name = 'Streams1796223547412';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."streams" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "call_sid" character(34) NOT NULL, "name" character varying(256), "status" character varying(16) NOT NULL, "url" text NOT NULL, "track" character varying(16) NOT NULL, "bidirectional" boolean NOT NULL, "status_callback" jsonb, "started_at" TIMESTAMP(3) WITH TIME ZONE, "ended_at" TIMESTAMP(3) WITH TIME ZONE, "error_code" integer, "error_message" text, "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "streams_status_check" CHECK ("status" IN ('in-progress', 'stopped')), CONSTRAINT "streams_sid_check" CHECK ("sid" ~ '^MZ[0-9a-f]{32}$'), CONSTRAINT "PK_317b08750242ef579095c616eb7" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "streams_call_idx" ON "call_control"."streams" ("call_sid") `,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."streams" ADD CONSTRAINT "FK_40ff8647800d7e0739b0ab36cd0" FOREIGN KEY ("account_sid") REFERENCES "call_control"."accounts"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."streams" ADD CONSTRAINT "FK_e1f5b3acb6038f61a3bc17ce2fb" FOREIGN KEY ("call_sid") REFERENCES "call_control"."calls"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."streams" DROP CONSTRAINT "FK_e1f5b3acb6038f61a3bc17ce2fb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."streams" DROP CONSTRAINT "FK_40ff8647800d7e0739b0ab36cd0"`,
    );
    await queryRunner.query(`DROP INDEX "call_control"."streams_call_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."streams"`);
  }
}
