/**
 * Entry point of the hsm-sentinel Functions app (package.json `main` of the deployed app):
 * registers the HTTP and timer starters, the orchestrator and its activities.
 * See docs/deploy-azure.md.
 */
import { createAzureApp, registerAzureApp } from './app.ts';
import { readSchedule } from './settings.ts';

registerAzureApp(createAzureApp(), readSchedule(process.env));
