import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** WhatsApp approval requests of Content templates (issue 19). */
export class ContentApprovals1796223228169 implements MigrationInterface {
  name = 'ContentApprovals1796223228169';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."content_approvals" ("content_sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "sender_sid" character(34) NOT NULL, "waba_id" character varying(64) NOT NULL, "name" character varying(512) NOT NULL, "language" character varying(16) NOT NULL, "category" character varying(32) NOT NULL, "allow_category_change" boolean NOT NULL, "content_type" character varying(32) NOT NULL, "template" jsonb NOT NULL, "status" character varying(16) NOT NULL, "rejection_reason" text, "meta_template_id" character varying(64), "quality_score" character varying(32), "submit_attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "status_sequence" integer NOT NULL DEFAULT '0', "date_created" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "content_approvals_status_check" CHECK ("status" IN ('received', 'pending', 'approved', 'rejected', 'paused', 'disabled')), CONSTRAINT "PK_1cb95ad56ab2ed1fafd0467973c" PRIMARY KEY ("content_sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "content_approvals_meta_id_idx" ON "call_control"."content_approvals" ("waba_id", "meta_template_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "content_approvals_template_idx" ON "call_control"."content_approvals" ("waba_id", "name", "language") `,
    );
    await queryRunner.query(
      `CREATE INDEX "content_approvals_due_idx" ON "call_control"."content_approvals" ("next_attempt_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "call_control"."content_approvals" ADD CONSTRAINT "FK_1cb95ad56ab2ed1fafd0467973c" FOREIGN KEY ("content_sid") REFERENCES "call_control"."contents"("sid") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "call_control"."content_approvals" DROP CONSTRAINT "FK_1cb95ad56ab2ed1fafd0467973c"`,
    );
    await queryRunner.query(`DROP INDEX "call_control"."content_approvals_due_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."content_approvals_template_idx"`);
    await queryRunner.query(`DROP INDEX "call_control"."content_approvals_meta_id_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."content_approvals"`);
  }
}
