CREATE TABLE `carry_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`from_id` integer NOT NULL,
	`to_id` integer,
	`kind` text NOT NULL,
	`rationale` text NOT NULL,
	`decided_by` integer NOT NULL,
	`decided_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`from_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`to_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `carry_links_from_idx` ON `carry_links` (`from_id`);--> statement-breakpoint
CREATE INDEX `carry_links_to_idx` ON `carry_links` (`to_id`);--> statement-breakpoint
CREATE TABLE `commitment_organisations` (
	`commitment_id` integer NOT NULL,
	`organisation_id` integer NOT NULL,
	`role` text NOT NULL,
	`contribution` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`commitment_id`, `organisation_id`),
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commitment_organisations_org_idx` ON `commitment_organisations` (`organisation_id`);--> statement-breakpoint
CREATE TABLE `commitments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cycle_id` integer NOT NULL,
	`reference` text NOT NULL,
	`pillar_id` integer NOT NULL,
	`title` text NOT NULL,
	`problem` text DEFAULT '' NOT NULL,
	`expected_result` text DEFAULT '' NOT NULL,
	`principles` text DEFAULT '[]' NOT NULL,
	`type` text DEFAULT 'single' NOT NULL,
	`contact_name` text NOT NULL,
	`contact_email` text,
	`starts_on` text NOT NULL,
	`ends_on` text NOT NULL,
	`made_at_session_id` integer,
	`visibility` text DEFAULT 'members' NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`completed_in_cycle_id` integer,
	`created_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`cycle_id`) REFERENCES `forum_cycles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pillar_id`) REFERENCES `pillars`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`made_at_session_id`) REFERENCES `agenda_sessions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`completed_in_cycle_id`) REFERENCES `forum_cycles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `commitments_cycle_reference_unique` ON `commitments` (`cycle_id`,`reference`);--> statement-breakpoint
CREATE INDEX `commitments_reference_idx` ON `commitments` (`reference`);--> statement-breakpoint
CREATE INDEX `commitments_cycle_pillar_idx` ON `commitments` (`cycle_id`,`pillar_id`,`status`);--> statement-breakpoint
CREATE TABLE `cycle_assessments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cycle_id` integer NOT NULL,
	`commitment_id` integer NOT NULL,
	`completion` text NOT NULL,
	`percent` integer NOT NULL,
	`early_result` text DEFAULT '' NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`assessed_by` integer,
	`frozen_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`cycle_id`) REFERENCES `forum_cycles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assessed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cycle_assessments_unique` ON `cycle_assessments` (`cycle_id`,`commitment_id`);--> statement-breakpoint
CREATE TABLE `evidence` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`update_id` integer NOT NULL,
	`kind` text NOT NULL,
	`url` text,
	`file_name` text,
	`mime_type` text,
	`size` integer,
	`sha256` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`update_id`) REFERENCES `progress_updates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evidence_update_idx` ON `evidence` (`update_id`);--> statement-breakpoint
CREATE TABLE `forum_cycles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`report_on` text NOT NULL,
	`opened_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`closed_at` integer,
	`closed_by` integer,
	FOREIGN KEY (`closed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `forum_cycles_year_unique` ON `forum_cycles` (`year`);--> statement-breakpoint
CREATE TABLE `milestones` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`commitment_id` integer NOT NULL,
	`title` text NOT NULL,
	`due_on` text NOT NULL,
	`done_on` text,
	`done_by` integer,
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`done_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `milestones_commitment_idx` ON `milestones` (`commitment_id`);--> statement-breakpoint
CREATE INDEX `milestones_due_idx` ON `milestones` (`due_on`);--> statement-breakpoint
CREATE TABLE `progress_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`commitment_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`organisation_id` integer,
	`completion` text NOT NULL,
	`percent` integer NOT NULL,
	`narrative` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `progress_updates_commitment_idx` ON `progress_updates` (`commitment_id`,`id`);--> statement-breakpoint
CREATE TABLE `progress_verifications` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`verified_by` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`verified_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`update_id`) REFERENCES `progress_updates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`verified_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TRIGGER `progress_updates_append_only_update` BEFORE UPDATE ON `progress_updates` BEGIN SELECT RAISE(ABORT, 'progress updates are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `progress_updates_append_only_delete` BEFORE DELETE ON `progress_updates` BEGIN SELECT RAISE(ABORT, 'progress updates are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `progress_verifications_frozen_update` BEFORE UPDATE ON `progress_verifications` BEGIN SELECT RAISE(ABORT, 'verifications are final'); END;
--> statement-breakpoint
CREATE TRIGGER `progress_verifications_frozen_delete` BEFORE DELETE ON `progress_verifications` BEGIN SELECT RAISE(ABORT, 'verifications are final'); END;
--> statement-breakpoint
CREATE TRIGGER `cycle_assessments_frozen_update` BEFORE UPDATE ON `cycle_assessments` BEGIN SELECT RAISE(ABORT, 'assessments are frozen'); END;
--> statement-breakpoint
CREATE TRIGGER `cycle_assessments_frozen_delete` BEFORE DELETE ON `cycle_assessments` BEGIN SELECT RAISE(ABORT, 'assessments are frozen'); END;
--> statement-breakpoint
CREATE TRIGGER `carry_links_frozen_update` BEFORE UPDATE ON `carry_links` BEGIN SELECT RAISE(ABORT, 'carry-over decisions are final'); END;
