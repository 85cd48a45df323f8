package org.lorafoundry.jobs.service;

import java.sql.SQLException;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.jobs.persistence.JobResultRepository;
import org.lorafoundry.jobs.persistence.ReplicaRepository;
import org.lorafoundry.jobs.persistence.WorkerRepository;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.BaseModelRegistered;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetRejected;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.WorkerHeartbeat;

/**
 * Keeps the local replicas of other services' facts (datasets, base models, workers, registered adapter versions). Each write is an upsert of an
 * immutable or latest-wins fact, so redelivered events are harmless without an applied-events record.
 */
@ApplicationScoped
public class ReplicaService {

    private final Transactions transactions;
    private final ReplicaRepository replicas;
    private final WorkerRepository workers;
    private final JobResultRepository results;

    ReplicaService(Transactions transactions, ReplicaRepository replicas, WorkerRepository workers,
            JobResultRepository results) {
        this.transactions = transactions;
        this.replicas = replicas;
        this.workers = workers;
        this.results = results;
    }

    /** The registry made an adapter version of one of our jobs: show it with the job. */
    public void adapterRegistered(AdapterVersionRegistered registered) throws SQLException {
        if (registered.getJobId().isBlank()) {
            return;
        }
        transactions.inTransaction(tx -> {
            results.adapterRegistered(tx, registered);
            return null;
        });
    }

    public void datasetIngested(DatasetIngested ingested) throws SQLException {
        ResolvedDataset.Builder dataset = ResolvedDataset.newBuilder().setDatasetId(ingested.getDatasetId())
                .setName(ingested.getName()).setVersion(ingested.getVersion()).setFormat(ingested.getFormat())
                .setHasLabels(ingested.getHasLabels()).addAllLabelValues(ingested.getLabelValuesList());
        for (DatasetSplit split : ingested.getSplitsList()) {
            switch (split.getName()) {
                case "train" -> dataset.setTrain(split);
                case "validation" -> dataset.setValidation(split);
                default -> {
                    // other splits are not used for training
                }
            }
        }
        transactions.inTransaction(tx -> {
            replicas.datasetReady(tx, ingested.getTeam(), dataset.build());
            return null;
        });
    }

    public void datasetRejected(DatasetRejected rejected) throws SQLException {
        transactions.inTransaction(tx -> {
            replicas.datasetRejected(tx, rejected.getTeam(), rejected.getName(), rejected.getMessage());
            return null;
        });
    }

    public void baseModelRegistered(BaseModelRegistered registered) throws SQLException {
        ResolvedBaseModel model = ResolvedBaseModel.newBuilder().setName(registered.getName())
                .setLocationUri(registered.getLocationUri()).setSha256(registered.getSha256())
                .setArchitecture(registered.getArchitecture()).setParameterCount(registered.getParameterCount())
                .setConfig(registered.getConfig()).setFiles(registered.getFiles()).build();
        transactions.inTransaction(tx -> {
            replicas.baseModel(tx, model);
            return null;
        });
    }

    public void heartbeat(WorkerHeartbeat heartbeat) throws SQLException {
        transactions.inTransaction(tx -> {
            workers.record(tx, heartbeat, Instant.now());
            return null;
        });
    }
}
