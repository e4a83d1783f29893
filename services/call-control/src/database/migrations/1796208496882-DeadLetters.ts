import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Durable events a consumer gave up on, kept to be re-driven (dead letters). */
export class DeadLetters1796208496882 implements MigrationInterface {
  name = 'DeadLetters1796208496882';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."dead_letters" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "consumer" character varying(128) NOT NULL, "subject" character varying(256) NOT NULL, "payload" jsonb NOT NULL, "correlation_id" character varying(128), "deliveries" integer NOT NULL, "last_error" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'dead', "redrive_attempts" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "dead_letters_status_check" CHECK ("status" IN ('dead', 'redrive', 'redriven')), CONSTRAINT "PK_084e63809483fb0a9c48aae607f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "dead_letters_status_idx" ON "call_control"."dead_letters" ("status", "id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "call_control"."dead_letters_status_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."dead_letters"`);
  }
}
