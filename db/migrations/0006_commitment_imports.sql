CREATE TABLE `commitment_imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_key` text NOT NULL,
	`commitment_id` integer NOT NULL,
	`cycle_id` integer NOT NULL,
	`file_name` text DEFAULT '' NOT NULL,
	`row_number` integer NOT NULL,
	`imported_by` integer,
	`imported_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`cycle_id`) REFERENCES `forum_cycles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`imported_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `commitment_imports_source_key_unique` ON `commitment_imports` (`source_key`);--> statement-breakpoint
CREATE INDEX `commitment_imports_commitment_idx` ON `commitment_imports` (`commitment_id`);