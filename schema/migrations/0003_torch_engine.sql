-- The PyTorch engine record (torch, Python, numpy, CUDA, cuDNN versions, device) of a submission and of a
-- reproduction; NULL for TF.js runs, which every row stored before it is.
ALTER TABLE "reproductions" ADD COLUMN "engine" jsonb;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "engine" jsonb;