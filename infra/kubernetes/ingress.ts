import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/**
 * AKS application routing's managed NGINX, as the add-on's operator deploys it
 * (Azure/aks-app-routing-operator, pkg/manifests/fixtures/nginx/default_version/full.yaml): the
 * ingress class of the default controller, the namespace it runs in, and its pods' labels.
 */
export const APP_ROUTING = {
  ingressClassName: "webapprouting.kubernetes.azure.com",
  namespace: "app-routing-system",
  controllerPodLabels: {
    "app.kubernetes.io/component": "ingress-controller",
    "app.kubernetes.io/managed-by": "aks-app-routing-operator",
  },
  /**
   * The Key Vault certificate to serve; the operator syncs it into the secret `keyvault-<ingress>`
   * (pkg/controller/keyvault/ingress_secret_provider_class.go).
   */
  certificateAnnotation: "kubernetes.azure.com/tls-cert-keyvault-uri",
  secretPrefix: "keyvault-",
} as const;

/** The only path the Ingress routes: the items API. /healthz, /readyz and /metrics stay inside. */
export const PUBLIC_PATH_PREFIX = "/api";

export interface AppIngressArgs {
  namespace: pulumi.Input<string>;
  /** The Service and its port name to route to. */
  serviceName: pulumi.Input<string>;
  servicePort: string;
  host: string;
  certificateUri: pulumi.Input<string>;
}

/**
 * The app's Ingress on application routing: TLS for its host with the certificate from Key Vault,
 * HTTP redirected to HTTPS, HSTS (ingress-nginx sends it on TLS hosts by default; the app sends it
 * too), only /api routed.
 */
export class AppIngress extends pulumi.ComponentResource {
  readonly url: string;

  constructor(name: string, args: AppIngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kubernetes:AppIngress", name, {}, opts);
    const ingressName = "items-api";
    new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: {
          name: ingressName,
          namespace: args.namespace,
          annotations: {
            [APP_ROUTING.certificateAnnotation]: args.certificateUri,
            // https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#server-side-https-enforcement-through-redirect
            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
          },
        },
        spec: {
          ingressClassName: APP_ROUTING.ingressClassName,
          tls: [{ hosts: [args.host], secretName: `${APP_ROUTING.secretPrefix}${ingressName}` }],
          rules: [
            {
              host: args.host,
              http: {
                paths: [
                  {
                    path: PUBLIC_PATH_PREFIX,
                    pathType: "Prefix",
                    backend: {
                      service: { name: args.serviceName, port: { name: args.servicePort } },
                    },
                  },
                ],
              },
            },
          ],
        },
      },
      { parent: this },
    );
    this.url = `https://${args.host}`;
    this.registerOutputs({ url: this.url });
  }
}
