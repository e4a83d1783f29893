import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Initial1795259990839 implements MigrationInterface {
  name = 'Initial1795259990839';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "twiml_interpreter"."call_sessions" ("call_sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'fetching', "document_url" text, "verb_index" integer NOT NULL DEFAULT '0', "redirect_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "call_sessions_state_check" CHECK ("state" IN ('fetching', 'running', 'waiting', 'ended')), CONSTRAINT "PK_240f30ccd5e4fbba5b67772e123" PRIMARY KEY ("call_sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "call_sessions_account_sid_idx" ON "twiml_interpreter"."call_sessions" ("account_sid") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "twiml_interpreter"."call_sessions_account_sid_idx"`);
    await queryRunner.query(`DROP TABLE "twiml_interpreter"."call_sessions"`);
  }
}
